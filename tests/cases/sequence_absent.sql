-- Absent elements in a sequence. `not B[cond] for t` after e1 is met when no B passing cond
-- comes within t; a B failing cond does not break the sequence, but an event of another
-- element does (strict contiguity). `not B and e2=C` is met by a C that directly follows
-- with no B in between. An `or` pair is met by whichever of its two comes next.
CREATE STREAM A (v INT);
CREATE STREAM B (v INT);
CREATE STREAM C (v INT);
CREATE STREAM Lone (v INT);
CREATE STREAM Clean (a INT, c INT);
CREATE STREAM Either (a INT, b INT, c INT);
INSERT INTO Lone SELECT e1.v AS v
FROM SEQUENCE (every e1=A[v > 20], not B[v > e1.v] for 1 sec);
INSERT INTO Clean SELECT e1.v AS a, e2.v AS c
FROM SEQUENCE (every e1=A, not B and e2=C);
INSERT INTO Either SELECT e1.v AS a, e2.v AS b, e3.v AS c
FROM SEQUENCE (every e1=A, e2=B[v > 100] or e3=C);
-- A sequence may open with an absent element: a C right after a second with no big B (a B
-- that is not big lets the wait go on).
CREATE STREAM Opening (c INT);
INSERT INTO Opening SELECT e2.v AS c
FROM SEQUENCE (not B[v > 100] for 1 sec, e2=C);
