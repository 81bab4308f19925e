-- `every` on a later element: the attempt keeps waiting there, so each further B matches too.
CREATE STREAM A (id INT);
CREATE STREAM B (id INT);
CREATE STREAM O (a INT, b INT);
CREATE STREAM O2 (a INT, b INT);
INSERT INTO O SELECT e1.id AS a, e2.id AS b FROM PATTERN (e1=A -> every e2=B);
INSERT INTO O2 SELECT e1.id AS a, e2.id AS b FROM PATTERN (every e1=A -> every e2=B[id > e1.id * 10]);
