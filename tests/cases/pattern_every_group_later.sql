-- `every ( ... )` on a group after the first element: the same e1 enters the group again each
-- time an attempt got through it. Inside the group attempts do not overlap: a second B while
-- one waits for its C is ignored. Without `every` on e1, only the first A starts.
CREATE STREAM A (id INT);
CREATE STREAM B (id INT);
CREATE STREAM C (id INT);
CREATE STREAM D (id INT);
CREATE STREAM Out (a INT, b INT, c INT);
CREATE STREAM Out2 (a INT, b INT, c INT, d INT);
INSERT INTO Out SELECT e1.id AS a, e2.id AS b, e3.id AS c
FROM PATTERN (e1=A -> every (e2=B -> e3=C));
-- Each trip through the group waits for a D of its own.
INSERT INTO Out2 SELECT e1.id AS a, e2.id AS b, e3.id AS c, e4.id AS d
FROM PATTERN (e1=A -> every (e2=B -> e3=C) -> e4=D);
