-- Siddhi: FilterTestCase1.testFilterQuery3
@app:playback
-- Siddhi waits for 2 events (no count assertion); rows follow the filter. Asserted in the callback: "WSO2".equals(inEvents[0].getData(0)).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT INTO outputStream
SELECT symbol, price
FROM cseEventStream
WHERE 70 > price;
