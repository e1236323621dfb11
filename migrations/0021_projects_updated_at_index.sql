-- The window's watch of project changes (core/src/change_watch.rs) looks every second for the
-- profile's projects changed in the last few seconds. Without this index it read every one of
-- the profile's memberships and projects to find none (10 ms a second with 10,000 projects);
-- with it, it reads the few projects changed, by their stamp, and checks each one's
-- membership.
CREATE INDEX projects_updated_at_index ON projects (updated_at);
