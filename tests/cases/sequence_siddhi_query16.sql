-- Siddhi: SequenceTestCase.testQuery16
@app:playback
-- Asserted: (WSO2, GOOG, 65), (DOX, null, 25).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM StockStream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM StockStream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e3.symbol AS symbol1, e2[0].symbol AS symbol2, e3.volume AS volume
FROM SEQUENCE (every e1=StockStream1, e2=StockStream2[e1.symbol <> 'AMBA']*, e3=StockStream2[volume <= 70]);
