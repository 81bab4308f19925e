-- Siddhi: EveryPatternTestCase.testQuery2
@app:playback
-- Without every only the first start counts: asserted 1 event (WSO2, IBM).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms timestamps.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price1 DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2.symbol AS symbol2
FROM PATTERN (e1=Stream1[price > 20] -> e2=Stream2[price1 > e1.price]);
