-- Siddhi: SequenceTestCase.testQuery22
@app:playback
-- Siddhi also selects e2[last-20].price (asserted null); EventFlux refuses last - n beyond 3
-- (compile error), so that column is left out.
-- Asserted: 1 event (25.0, 35.6, 45.5, 57.6, 58.6, 57.7, null).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1, e2[0].price AS price2, e2[last-2].price AS price3, e2[last-1].price AS price4,
       e2[last].price AS price5, e3.price AS price6
FROM SEQUENCE (every e1=Stream1[price > 20],
   e2=Stream1[((e2[last].price IS NULL) AND price >= e1.price) OR ((NOT (e2[last].price IS NULL)) AND price >= e2[last].price)]+,
   e3=Stream1[price < e2[last].price AND price > e2[last-1].price]);
