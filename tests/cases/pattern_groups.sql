-- Parentheses nest freely; only `every ( ... )` groups change the meaning, and a pattern may
-- hold several of them (not one inside another): the leading one starts a new attempt once
-- the previous one is through it, a later one is re-entered by each attempt that got through.
CREATE STREAM A (id INT);
CREATE STREAM B (id INT);
CREATE STREAM C (id INT);
CREATE STREAM D (id INT);
CREATE STREAM Nested (a INT, b INT, c INT);
CREATE STREAM Two (a INT, b INT, c INT, d INT);
INSERT INTO Nested SELECT e1.id AS a, e2.id AS b, e3.id AS c
FROM PATTERN ((e1=A -> (e2=B -> e3=C)));
INSERT INTO Two SELECT e1.id AS a, e2.id AS b, e3.id AS c, e4.id AS d
FROM PATTERN (every (e1=A -> e2=B) -> every (e3=C -> e4=D));
