-- Counting: e1=A<2:3> collects two to three A events before B (further A's while waiting for B
-- are collected up to the maximum); e1[0], e1[1], ... are the first occurrences, e1[last] the
-- latest, e1[last - 1] the one before it (NULL when there is none). In a sequence, e1=A+
-- takes one or more consecutive A's.
CREATE STREAM A (id INT);
CREATE STREAM B (id INT);
CREATE STREAM Counted (first INT, second INT, third INT, latest INT, before_latest INT, b INT);
CREATE STREAM Run (first INT, latest INT, last_1 INT, last_3 INT, b INT);
INSERT INTO Counted
SELECT e1[0].id AS first, e1[1].id AS second, e1[2].id AS third, e1[last].id AS latest,
       e1[last - 1].id AS before_latest, e2.id AS b
FROM PATTERN (e1=A[id > 0]<2:3> -> e2=B);
INSERT INTO Run
SELECT e1[0].id AS first, e1[last].id AS latest, e1[last-1].id AS last_1, e1[last - 3].id AS last_3,
       e2.id AS b
FROM SEQUENCE (e1=A+, e2=B);
-- A counting element at the end: the match is emitted once its minimum is met.
CREATE STREAM Pairs (a INT, first_b INT, second_b INT, third_last INT);
INSERT INTO Pairs SELECT e1.id AS a, e2[0].id AS first_b, e2[1].id AS second_b,
       e2[last - 2].id AS third_last
FROM PATTERN (e1=B -> e2=A[id > 0]<2:4>);
