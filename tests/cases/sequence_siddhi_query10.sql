-- Siddhi: SequenceTestCase.testQuery10
@app:playback
-- e1+ takes one or more. Asserted: 1 event (55.6, null, 57.6).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1[0].price AS price1, e1[1].price AS price2, e2.price AS price3
FROM SEQUENCE (every e1=Stream2[price > 20]+, e2=Stream1[price > e1[0].price]);
