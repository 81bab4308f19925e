-- Siddhi: SortWindowTestCase.sortWindowTest3
@app:playback
-- A join of two sort(2) windows: both WSO2 tweets join WSO2 55.6; IBM 75.6 (index 90) pushes out IBM 59.6
-- (index 101) and joins the IBM tweet: 3 current rows. FLOAT prices are the Java floats' exact values.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, index INT);
CREATE STREAM twitterStream (id INT, tweet STRING, company STRING);
INSERT INTO outputStream SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price
FROM cseEventStream WINDOW('sort', 2, index) JOIN twitterStream WINDOW('sort', 2, id) ON cseEventStream.symbol = twitterStream.company;
