// The healthcheck of docker-compose.yml's mongo, run by mongosh as the root user: on the
// first run it initiates the one-member replica set; healthy once this member is primary.
try {
  rs.status();
} catch (notInitiated) {
  rs.initiate({ _id: "rs0", members: [{ _id: 0, host: "mongo:27017" }] });
}
quit(db.hello().isWritablePrimary ? 0 : 1);
