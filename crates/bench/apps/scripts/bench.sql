-- An in-memory workload: bulk insert, an index, aggregates, a join, text functions.
PRAGMA temp_store = MEMORY;
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000)
INSERT INTO t SELECT x, (x * 7919) % 1000, printf('row-%d-%x', x, x * 31) FROM c;
CREATE INDEX t_k ON t(k);
SELECT count(*), sum(k), max(length(v)) FROM t;
SELECT k, count(*), group_concat(substr(v, 5, 3), '') IS NOT NULL FROM t WHERE k < 5 GROUP BY k;
CREATE TABLE u AS SELECT k, avg(id) AS a FROM t GROUP BY k;
SELECT count(*), sum(u.a > t.id) FROM t JOIN u ON u.k = t.k WHERE t.id % 10 = 0;
SELECT sum(length(upper(v)) + instr(v, 'f')) FROM t;
SELECT v FROM t ORDER BY v DESC LIMIT 3;
