-- Siddhi: SortWindowTestCase.sortWindowTest1
@app:playback
-- sort(2, volume, 'asc'): each arrival beyond 2 is emitted, then the largest volume expires (5 in, 3 removed).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume BIGINT);
INSERT ALL EVENTS INTO outputStream SELECT volume FROM cseEventStream WINDOW('sort', 2, volume, 'asc');
