"""Records, errors and the stage runner shared by every frontend and backend."""
