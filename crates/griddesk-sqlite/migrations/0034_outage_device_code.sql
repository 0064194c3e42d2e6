-- Which outages take a device off (fault inference asks per feeder and its areas): the
-- primary key leads with the outage, so the devices need their own index.
CREATE INDEX outage_device_code ON outage_device (kind, code, outage_id);
