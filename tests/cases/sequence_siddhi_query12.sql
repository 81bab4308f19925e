-- Siddhi: SequenceTestCase.testQuery12
@app:playback
-- Asserted: 1 event (76.6, IBM, 20). Siddhi's attribute `count` is `cnt` here.
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM TwitterStream (symbol STRING, cnt INT);
INSERT INTO OutputStream
SELECT e1.price AS price, e1.symbol AS symbol, e2.cnt AS cnt
FROM SEQUENCE (every e1=StockStream[price >= 50 AND volume > 100], e2=TwitterStream[cnt > 10]);
