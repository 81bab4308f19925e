-- Siddhi: FilterTestCase1.filterTest2
@app:playback
-- Siddhi waits for 1 events (no count assertion); rows follow the filter. Asserted in the callback: "IBM".equals(inEvents[0].getData(0)); eventArrived.get().
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume BIGINT);
INSERT INTO outputStream
SELECT symbol, price
FROM cseEventStream
WHERE 150 > volume;
