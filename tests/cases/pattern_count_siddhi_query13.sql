-- Siddhi: CountPatternTestCase.testQuery13
@app:playback
-- A counting element at the end emits once its minimum (4) is met. Asserted: 5 events.
-- Siddhi's FLOAT price is DOUBLE here; back-to-back sends are 1 ms apart.
CREATE STREAM EventStream (symbol STRING, price DOUBLE, volume INT);
INSERT INTO StockQuote
SELECT e1.volume AS volume1, e2[0].volume AS volume2, e2[1].volume AS volume3, e2[2].volume AS volume4,
       e2[3].volume AS volume5, e2[4].volume AS volume6, e2[5].volume AS volume7
FROM PATTERN (every e1=EventStream -> e2=EventStream[e1.symbol = e2.symbol]<4:6>);
