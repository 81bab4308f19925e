-- Siddhi: FilterTestCase1.testFilterQuery12
@app:playback
-- Siddhi waits for 2 events (no count assertion); rows follow the filter.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume DOUBLE);
INSERT INTO outputStream
SELECT symbol, price
FROM cseEventStream
WHERE volume > 45;
