-- Siddhi: DelayWindowTestCase.delayWindowTest4
@app:playback
-- delay(1 sec) on both sides of a join: an event released from one side joins the events the other side
-- still holds (Siddhi's DelayWindowProcessor.find reads the delayed queue). The cse events are released at
-- 2000/2001, while both tweets are still held: 2 rows; the tweets, released at 2002/2003, find nothing.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price
FROM cseEventStream WINDOW('delay', 1 SEC) JOIN twitterStream WINDOW('delay', 1 SEC) ON cseEventStream.symbol = twitterStream.company;
