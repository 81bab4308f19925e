-- Siddhi: SequenceTestCase.testQuery9
@app:playback
-- Asserted: (55.6, 57.6, null), (57.6, null, 55.7).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e2.price AS price2, e3.price AS price3
FROM SEQUENCE (every e1=Stream2[price > 20], e2=Stream2[price > e1.price] or e3=Stream2[symbol = 'IBM']);
