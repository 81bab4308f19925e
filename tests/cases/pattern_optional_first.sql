-- An optional first element (A*, A?): the pattern may start with the second element (the first
-- is then NULL), or collect A's first.
CREATE STREAM A (id INT);
CREATE STREAM B (id INT);
CREATE STREAM C (id INT);
CREATE STREAM Skipped (first INT, latest INT, b INT);
CREATE STREAM Collected (first INT, latest INT, c INT);
INSERT INTO Skipped SELECT e1[0].id AS first, e1[last].id AS latest, e2.id AS b
FROM SEQUENCE (e1=A*, e2=B);
INSERT INTO Collected SELECT e1[0].id AS first, e1[last].id AS latest, e2.id AS c
FROM SEQUENCE (e1=A*, e2=C);
