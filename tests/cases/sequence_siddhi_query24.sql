-- Siddhi: SequenceTestCase.testQuery24
@app:playback
-- Asserted: 1 event (43.6, 57.7, null, 57.7, 58.7, 45.6).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e2[0].price AS price2, e2[last-2].price AS price3, e2[last-1].price AS price4,
       e2[last].price AS price5, e3.price AS price6
FROM SEQUENCE (every e1=Stream1[price > 20],
   e2=Stream1[(price >= e2[last].price AND (NOT (e2[last-1].price IS NULL)) AND price >= e2[last-1].price + 5)
              OR ((e2[last-1].price IS NULL) AND price >= e1.price + 5)]+,
   e3=Stream1[price < e2[last].price]);
