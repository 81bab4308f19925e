-- Siddhi: FilterTestCase1.testFilterQuery43
@app:playback
-- Siddhi waits for 1 events (no count assertion); rows follow the filter.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume BIGINT);
INSERT INTO outputStream
SELECT symbol, price, volume
FROM cseEventStream
WHERE volume >= 50;
