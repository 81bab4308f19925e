-- Siddhi: WithinPatternTestCase.testQuery6
@app:playback
-- No overlap: a new attempt starts after each match. Asserted: (100, 150, 200), (210, 250, 260).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep gaps become timestamps (back-to-back sends 1 ms apart).
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e1.volume AS volume1, e2.symbol AS symbol2, e2.volume AS volume2,
       e3.symbol AS symbol3, e3.volume AS volume3
FROM PATTERN (every (e1=Stream1 -> e2=Stream1[symbol = e1.symbol] -> e3=Stream1[symbol = e2.symbol]))
WITHIN 5 SEC;
