// A mix of what JavaScript programs do: calls, objects, arrays, strings, closures, regexps.
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function tree(d) { return d === 0 ? null : { l: tree(d - 1), r: tree(d - 1) }; }
function count(t) { return t === null ? 1 : 1 + count(t.l) + count(t.r); }
let total = fib(25);
for (let d = 4; d <= 16; d += 2) total += count(tree(d));
const words = [];
for (let i = 0; i < 60000; i++) words.push("w" + (i * 7919 % 100003).toString(16));
const joined = words.join(" ");
total += (joined.match(/w[0-9a-f]{3}\b/g) || []).length;
const m = new Map();
for (const w of words) m.set(w, (m.get(w) || 0) + w.length);
for (const [k, v] of m) total += v & 3;
const arr = words.map((w, i) => ({ w, i })).sort((a, b) => (a.w < b.w ? -1 : a.w > b.w ? 1 : 0));
total += arr[100].i;
total += JSON.stringify(arr.slice(0, 2000)).length;
print(total);
