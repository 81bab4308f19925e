-- Siddhi: CountPatternTestCase.testQuery15
@app:playback
-- Siddhi also selects e2[2].price (asserted null); EventFlux refuses e2[2] on a <2> element
-- (compile error), so that column is left out.
-- Counting followed by `not ... and e3=...`. Asserted: 1 event (23.6, 27.6, 28.6, null, 45.7).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms timestamps.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1_0, e2[0].price AS price2_0, e2[1].price AS price2_1, e3.price AS price3_0
FROM PATTERN (every e1=Stream1[price > 20] -> e2=Stream1[price > 20]<2> -> not Stream1[price > 20] and e3=Stream2);
