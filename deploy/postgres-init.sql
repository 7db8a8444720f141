-- One database per service (each service owns its data).
CREATE DATABASE identity;
CREATE DATABASE personnel;
CREATE DATABASE welfare;
CREATE DATABASE console;
