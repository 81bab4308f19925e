-- Siddhi: ComplexPatternTestCase.testQuery6
@app:playback
-- Asserted: 2 events (WSO2, GOOG, 65), (IBN, DDD, 70).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO StockQuote
SELECT e3.symbol AS symbol1, e2[0].symbol AS symbol2, e3.volume AS volume3
FROM PATTERN (every e1=Stream1 -> e2=Stream2[e1.symbol <> 'AMBA']<2:> -> e3=Stream2[volume <= 70]);
