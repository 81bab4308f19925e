-- Siddhi: ComplexPatternTestCase.testQuery1
@app:playback
-- every around a group ending in an or, then e4. Asserted: (55.6, 55.7, null, 57.7),
-- (54.0, 57.7, null, 59.7).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e2.price AS price2, e3.price AS price3, e4.price AS price4
FROM PATTERN (every (e1=Stream1[price > 20] -> e2=Stream2[price > e1.price] or e3=Stream2['IBM' = symbol])
              -> e4=Stream2[price > e1.price]);
