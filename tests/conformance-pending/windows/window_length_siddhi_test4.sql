-- Siddhi: LengthWindowTestCase.lengthWindowTest4
@app:playback
-- length(4), 28 aggregates, events 1 and 3 all nulls. The test counts 8 current rows and checks the 2nd and 3rd
-- rows' minp/sump/avgp are equal (a null event leaves them unchanged). The other values follow Siddhi's
-- aggregators: one row per chunk (the arrival's, after the expiry it caused); nulls skipped by max/min/sum/
-- avg/stdDev; count() counts every event; distinctCount counts null as a value (a HashMap key).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT, price2 DOUBLE, volume2 BIGINT, active BOOL);
INSERT ALL EVENTS INTO outputStream SELECT max(price) AS maxp, min(price) AS minp, sum(price) AS sump, avg(price) AS avgp, stdDev(price) AS stdp, count() AS cp, distinctCount(price) AS dcp, max(volume) AS maxvolumep, min(volume) AS minvolumep, sum(volume) AS sumvolumep, avg(volume) AS avgvolumep, stdDev(volume) AS stdvolumep, count() AS cvolumep, distinctCount(volume) AS dcvolumep, max(price2) AS maxprice2p, min(price2) AS minprice2p, sum(price2) AS sumprice2p, avg(price2) AS avgprice2p, stdDev(price2) AS stdprice2p, count() AS cpprice2, distinctCount(price2) AS dcprice2p, max(volume2) AS maxvolume2p, min(volume2) AS minvolume2p, sum(volume2) AS sumvolume2p, avg(volume2) AS avgvolume2p, stdDev(volume2) AS stdvolume2p, count() AS cvolume2p, distinctCount(volume2) AS dcvolume2p FROM cseEventStream WINDOW('length', 4);
