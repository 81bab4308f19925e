-- `every ( ... )` around a prefix: a new attempt of the group starts once the previous one is
-- through the group (here after B), not after the whole pattern matched.
CREATE STREAM A (id INT);
CREATE STREAM B (id INT);
CREATE STREAM C (id INT);
CREATE STREAM Grouped (a INT, b INT, c INT);
CREATE STREAM Whole (a INT, b INT, c INT);
INSERT INTO Grouped SELECT e1.id AS a, e2.id AS b, e3.id AS c
FROM PATTERN (every (e1=A -> e2=B) -> e3=C);
INSERT INTO Whole SELECT e1.id AS a, e2.id AS b, e3.id AS c
FROM PATTERN (every (e1=A -> e2=B -> e3=C));
