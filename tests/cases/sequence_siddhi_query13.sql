-- Siddhi: SequenceTestCase.testQuery13
@app:playback
-- Asserted: 1 event (IBM, GOOG, WSO2).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2[0].symbol AS symbol2, e3.symbol AS symbol3
FROM SEQUENCE (every e1=StockStream[price >= 50 AND volume > 100], e2=StockStream[price <= 40]*, e3=StockStream[volume <= 70]);
