-- Siddhi: SortWindowTestCase.sortWindowTest2
@app:playback
-- sort(2, volume asc, price desc): the event sorting last expires after each arrival beyond 2 (5 in, 3 removed).
CREATE STREAM cseEventStream (symbol STRING, price INT, volume BIGINT);
INSERT ALL EVENTS INTO outputStream SELECT price, volume FROM cseEventStream WINDOW('sort', 2, volume, 'asc', price, 'desc');
