-- Counting: e1=A<2:3> collects two to three A events before B (further A's while waiting for B
-- are collected up to the maximum); e1[0], e1[1], ... are the first occurrences, e1[last] the
-- latest. In a sequence, e1=A+ takes one or more consecutive A's.
CREATE STREAM A (id INT);
CREATE STREAM B (id INT);
CREATE STREAM Counted (first INT, second INT, third INT, latest INT, b INT);
CREATE STREAM Run (first INT, latest INT, b INT);
INSERT INTO Counted
SELECT e1[0].id AS first, e1[1].id AS second, e1[2].id AS third, e1[last].id AS latest, e2.id AS b
FROM PATTERN (e1=A[id > 0]<2:3> -> e2=B);
INSERT INTO Run
SELECT e1[0].id AS first, e1[last].id AS latest, e2.id AS b
FROM SEQUENCE (e1=A+, e2=B);
-- A counting element at the end: the match is emitted once its minimum is met.
CREATE STREAM Pairs (a INT, first_b INT, second_b INT);
INSERT INTO Pairs SELECT e1.id AS a, e2[0].id AS first_b, e2[1].id AS second_b
FROM PATTERN (e1=B -> e2=A[id > 0]<2:4>);
