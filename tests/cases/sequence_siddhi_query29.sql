-- Siddhi: SequenceTestCase.testQuery29
@app:playback
-- No every: only the first start. Asserted: 1 event (WSO2, IBM).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2.symbol AS symbol2
FROM SEQUENCE (e1=Stream1[price > 20], e2=Stream2[price > e1.price]);
