-- Siddhi: SequenceTestCase.testQuery27
@app:playback
-- An or after a sequence step. Asserted: 1 event (59.65, 45.5, null).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream3 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e2.price AS price2, e3.price AS price3
FROM SEQUENCE (e1=Stream1[price > 20], e2=Stream2['IBM' = symbol] or e3=Stream3['WSO2' = symbol]);
