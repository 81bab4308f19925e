-- Sensors POST readings (a JSON object or array) to http://HOST:8080/readings; a device whose
-- readings of the last minute (three at least) average above 80 degrees raises an alert, sent
-- as a webhook. Alerts the
-- endpoint refuses (4xx, or still failing after retries) land in FailedAlerts, printed.
-- Run: INGEST_TOKEN=$(openssl rand -hex 16) ALERT_URL=https://hooks.example.com/alerts \
--        cargo run --release -- run queries/webhook_alerts.sql
--      curl -X POST localhost:8080/readings -H "Authorization: Bearer $INGEST_TOKEN" \
--           -d '[{"device":"d1","temp":85},{"device":"d1","temp":90},{"device":"d1","temp":88}]'
@app:name('WebhookAlerts')

-- 202 when accepted, 400 for a bad payload, 401 without the token, 503 when the app falls behind.
@source(type='http', port='${PORT:8080}', path='/readings', auth.token='${INGEST_TOKEN}',
        @map(type='json'))
CREATE STREAM Readings (device STRING, temp DOUBLE);

-- 5xx, 408, 429 and timeouts are retried with backoff; other 4xx are not.
@sink(type='webhook', url='${ALERT_URL:http://127.0.0.1:9000/alerts}/{{device}}',
      timeout.ms='5000', retry.max.attempts='4', retry.delay.ms='500',
      error.strategy='dlq', error.dlq.stream='FailedAlerts', @map(type='json'))
CREATE STREAM Alerts (device STRING, avg_temp DOUBLE, readings BIGINT);

@sink(type='stdout')
CREATE STREAM FailedAlerts (device STRING, error STRING);

@info(name='overheat')
INSERT INTO Alerts
SELECT device, round(avg(temp), 1) AS avg_temp, count() AS readings
FROM Readings WINDOW('time', 1 MINUTE)
GROUP BY device
HAVING avg_temp > 80.0 AND readings >= 3;
