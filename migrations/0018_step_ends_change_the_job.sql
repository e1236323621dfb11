-- A step that starts or ends changes its job for the window's followers (issue: the window
-- tells the truth). Before, only the job's own columns moved its change number, so a step
-- that ended after its job was cancelled (the runner kills the step's process after the
-- cancel is recorded) stayed "running" in a window that followed another process's jobs.
CREATE TRIGGER jobs_changed_on_step_insert AFTER INSERT ON job_steps BEGIN
    UPDATE jobs SET changed = (SELECT coalesce(max(changed), 0) + 1 FROM jobs)
    WHERE id = NEW.job_id;
END;
CREATE TRIGGER jobs_changed_on_step_end AFTER UPDATE OF outcome, finished_at ON job_steps BEGIN
    UPDATE jobs SET changed = (SELECT coalesce(max(changed), 0) + 1 FROM jobs)
    WHERE id = NEW.job_id;
END;
