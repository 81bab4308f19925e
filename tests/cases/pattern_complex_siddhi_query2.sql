-- Siddhi: ComplexPatternTestCase.testQuery2
@app:playback
-- every around a group ending in a counting element <1:2>. Asserted: 1 event (55.6, 54, 53.6, 57).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e2[0].price AS price2_0, e2[1].price AS price2_1, e3.price AS price3
FROM PATTERN (every (e1=Stream1[price > 20] -> e2=Stream1[price > 20]<1:2>) -> e3=Stream1[price > e1.price]);
