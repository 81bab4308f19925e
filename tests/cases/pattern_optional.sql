-- Zero-count quantifiers in sequences: B* takes any number of consecutive B's, none included;
-- B? at most one (a second B breaks the sequence).
CREATE STREAM A (id INT);
CREATE STREAM B (id INT);
CREATE STREAM C (id INT);
CREATE STREAM Star (a INT, first_b INT, last_b INT, c INT);
CREATE STREAM Maybe (a INT, b INT, c INT);
INSERT INTO Star SELECT e1.id AS a, e2[0].id AS first_b, e2[last].id AS last_b, e3.id AS c
FROM SEQUENCE (every e1=A, e2=B*, e3=C);
INSERT INTO Maybe SELECT e1.id AS a, e2.id AS b, e3.id AS c
FROM SEQUENCE (every e1=A, e2=B?, e3=C);
