CREATE STREAM S1 (symbol STRING, price DOUBLE);
CREATE STREAM S2 (symbol STRING, price DOUBLE);
INSERT INTO O SELECT e1.price AS p1, e2.price AS p2, e3.price AS p3 FROM PATTERN (every e1=S1 -> e2=S1[price > e1.price] -> e3=S2[symbol = e1.symbol]);
