-- and/or between two pattern elements: `or` takes whichever comes first (the other is NULL),
-- `and` waits for both in either order; an `and` pair can also open the pattern.
CREATE STREAM A (id INT);
CREATE STREAM B (id INT);
CREATE STREAM C (id INT);
CREATE STREAM OrOut (a INT, b INT, c INT);
CREATE STREAM AndOut (a INT, b INT, c INT);
CREATE STREAM FirstAnd (b INT, c INT, a INT);
INSERT INTO OrOut SELECT e1.id AS a, e2.id AS b, e3.id AS c
FROM PATTERN (every e1=A -> e2=B or e3=C);
INSERT INTO AndOut SELECT e1.id AS a, e2.id AS b, e3.id AS c
FROM PATTERN (every e1=A -> e2=B and e3=C);
INSERT INTO FirstAnd SELECT e1.id AS b, e2.id AS c, e3.id AS a
FROM PATTERN (e1=B and e2=C -> e3=A);
