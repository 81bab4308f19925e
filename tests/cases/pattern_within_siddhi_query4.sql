-- Siddhi: WithinPatternTestCase.testQuery4
@app:playback
-- every (e1 -> e2) WITHIN 5 sec on one stream: the 100 attempt lapses over the 6 s gap.
-- Asserted: 1 event (WSO2, 150, WSO2, 200).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep gaps become timestamps (back-to-back sends 1 ms apart).
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e1.volume AS volume1, e2.symbol AS symbol2, e2.volume AS volume2
FROM PATTERN (every (e1=Stream1 -> e2=Stream1[symbol = e1.symbol]))
WITHIN 5 SEC;
