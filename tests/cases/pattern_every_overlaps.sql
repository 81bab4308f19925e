CREATE STREAM S1 (symbol STRING, price DOUBLE);
CREATE STREAM S2 (symbol STRING, price DOUBLE);
INSERT INTO O SELECT e1.symbol AS a, e2.symbol AS b FROM PATTERN (every e1=S1 -> e2=S2);
