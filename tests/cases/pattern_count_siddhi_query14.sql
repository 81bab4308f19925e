-- Siddhi: CountPatternTestCase.testQuery14
@app:playback
-- HAVING with instanceOfFloat on e1[1]/e1[2]. Siddhi's HAVING reads both e1[1].price and the
-- output names price1_1/price1_2; EventFlux's HAVING names output attributes only, so the two
-- e1[...] terms are left out (price1_1 = e1[1].price, price1_2 = e1[2].price: same test).
-- FLOAT as in Siddhi. Asserted: 1 event (25.6, 23.6, null, 45.7).
CREATE STREAM Stream1 (symbol STRING, price FLOAT, volume INT);
CREATE STREAM Stream2 (symbol STRING, price FLOAT, volume INT);
INSERT INTO OutputStream
SELECT e1[0].price AS price1_0, e1[1].price AS price1_1, e1[2].price AS price1_2, e2.price AS price2
FROM PATTERN (e1=Stream1[price > 20]<0:5> -> e2=Stream2[price > e1[0].price])
HAVING instanceOfFloat(price1_1) AND NOT instanceOfFloat(price1_2);
