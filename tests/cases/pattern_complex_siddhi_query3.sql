-- Siddhi: ComplexPatternTestCase.testQuery3
@app:playback
-- Asserted: 3 events (IBM, FB, WSO2), (ADP, WSO2, AMZN), (WSO2, QQQ, CSCO).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO StockQuote
SELECT e1.symbol AS symbol1, e2[last].symbol AS symbol2, e3.symbol AS symbol3
FROM PATTERN (every e1=Stream1[price >= 50 AND volume > 100] -> e2=Stream1[price <= 40]<2:>
              -> e3=Stream1[volume <= 70]);
