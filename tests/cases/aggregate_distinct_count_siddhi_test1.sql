-- Siddhi: DistinctCountAttributeAggregatorExecutorTestCase.distinctCountTest
@app:playback
-- time(5 sec), distinctCount per user, having > 3, events 1 s apart: only E007 sees 4 distinct pages
-- (USER_1: pages 2, 3, 1, 4 within 5 s).
CREATE STREAM inputStream (eventId STRING, userID STRING, pageID STRING);
INSERT INTO outputStream SELECT userID, pageID, distinctCount(pageID) AS distinctPages FROM inputStream WINDOW('time', 5 SEC) GROUP BY userID HAVING distinctPages > 3;
