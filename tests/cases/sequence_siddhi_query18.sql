-- Siddhi: SequenceTestCase.testQuery18
@app:playback
-- Asserted: 1 event (25.0, 35.6, 57.6, 47.6).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e2[0].price AS price2, e2[1].price AS price3, e3.price AS price4
FROM SEQUENCE (every e1=Stream1[price > 20],
   e2=Stream1[((e2[last].price IS NULL) AND price >= e1.price) OR ((NOT (e2[last].price IS NULL)) AND price >= e2[last].price)]+,
   e3=Stream1[price < e2[last].price]);
