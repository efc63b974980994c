// Each service's own MongoDB user, which can read and write its own database and nothing
// else (readWrite on <MONGO_DATABASE_PREFIX><service>; stored in `admin`). The official
// image's entrypoint runs this once, as the root user, on the first start with an empty
// data volume; to change a password later, use db.changeUserPassword (README, Containers).
const prefix = process.env.MONGO_DATABASE_PREFIX || "";
const admin = db.getSiblingDB("admin");
for (const service of ["review", "orders", "logistics", "aftersales", "settlement"]) {
  const setting = `MONGO_${service.toUpperCase()}_PASSWORD`;
  const password = process.env[setting];
  if (!password) {
    throw new Error(`${setting} is not set`);
  }
  admin.createUser({
    user: service,
    pwd: password,
    roles: [{ role: "readWrite", db: prefix + service }],
  });
}
