-- Siddhi: SequenceTestCase.testQuery25
@app:playback
-- An and after a sequence step. Asserted: 1 event (25.5, 45.5, 46.56).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream3 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e2.price AS price2, e3.price AS price3
FROM SEQUENCE (e1=Stream1[price > 20], e2=Stream2['IBM' = symbol] and e3=Stream3['WSO2' = symbol]);
