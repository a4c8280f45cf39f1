-- A mix of what Lua programs do: calls, tables, strings, closures.
local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end

local function bottom_up(d)
  if d == 0 then return {} end
  d = d - 1
  return { bottom_up(d), bottom_up(d) }
end
local function check(t)
  if t[1] then return 1 + check(t[1]) + check(t[2]) end
  return 1
end

local n = tonumber(arg and arg[1]) or 1
local total = 0
for _ = 1, n do
  total = total + fib(27)
  for d = 4, 16, 2 do total = total + check(bottom_up(d)) end
  local parts = {}
  for i = 1, 100000 do parts[#parts + 1] = string.format("%d:%x", i, i * 7) end
  local s = table.concat(parts, ",")
  for w in s:gmatch("(%d+):") do total = total + #w end
  local t = {}
  for i = 1, 200000 do t[i] = (i * 7919) % 100003 end
  table.sort(t)
  total = total + t[1000]
end
print(total)
