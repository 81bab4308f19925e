-- Siddhi: FilterTestCase1.testFilterQuery38
@app:playback
-- Siddhi waits for 1 events (no count assertion); rows follow the filter.
-- Siddhi's condition: symbol == 'IBM' (typed literals 50f/50L/50d are 50.0/50/50.0 here).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume DOUBLE);
INSERT INTO outputStream
SELECT symbol, price, volume
FROM cseEventStream
WHERE symbol = 'IBM';
